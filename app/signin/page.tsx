import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignInForm } from '@/components/account/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  // useSearchParams (callbackUrl) needs a Suspense boundary to keep the page statically rendered.
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}
