// lib/bundle: the offline-verifiable export format (docs/bundles.md).
export { BUNDLE_FORMAT, BUNDLE_LIMITS, BUNDLE_VERSION, bundleItemSchema, bundlePageSchema, bundleSchema } from './schema';
export type { Bundle, BundleItem, BundlePage } from './schema';
export { parseBundle, verifyBundle } from './verify';
export type { BundleErrorCode, BundleReport } from './verify';
export { importOrder } from './import-order';
export type { ImportEntry } from './import-order';
