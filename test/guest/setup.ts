import { afterEach, beforeEach } from 'vitest';

// Under emulation a test of synchronous ocirun calls can run for a minute without the event loop
// turning; vitest's worker then finds its 60 s RPC timer expired before it reads the answer that
// has long arrived ("Timeout calling onTaskUpdate"). A real turn of the loop before each test and
// between it and its clean-up lets the answers in.
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));
beforeEach(turn);
afterEach(turn);
