// Preload for bench scripts: `NODE_OPTIONS="--import /abs/bench/cpu-profile.mjs"` with
// CPU_PROFILE_DIR set writes a V8 CPU profile of the process when it exits (node 20 refuses
// --cpu-prof in NODE_OPTIONS, and bench:load's servers are spawned by code it does not own).
// The profile starts at SIGUSR2 (bench:load sends it when the measured steps begin, so start-up
// and connecting sockets stay out of it), or at start when CPU_PROFILE_AT_START=1.
// Open the .cpuprofile in Chrome DevTools (Performance panel) or VS Code.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    session.post('Profiler.start');
  };
  if (process.env.CPU_PROFILE_AT_START === '1') start();
  else process.on('SIGUSR2', start);
  // Same-thread inspector sessions answer synchronously, so this runs to the end inside 'exit'.
  process.once('exit', () => {
    if (!started) return;
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
