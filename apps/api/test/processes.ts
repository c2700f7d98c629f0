// The built api as an OS process: the launcher lives in @threadline/testing so the soak
// script (plain node, no jest) starts it the same way the integration suites do.
export { defaultApiEntry, freePort, startApiProcess, type ApiProcess, type ApiProcessOptions } from '@threadline/testing';
