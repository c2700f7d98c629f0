// Integration and browser suites boot real servers (and, once per run, initdb for the
// PGlite template): seconds on a busy 2-core machine, so hooks get more than jest's 5 s.
import { jest } from '@jest/globals';

jest.setTimeout(Number(process.env.TL_TEST_TIMEOUT_MS ?? 90_000));
