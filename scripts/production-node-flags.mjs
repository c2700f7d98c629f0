// The V8 flags the gateway runs with: `npm start`, the bench, the soak and the image's CMD
// (the Dockerfile cannot import this file; a unit test keeps its copy equal).
export const PRODUCTION_NODE_FLAGS = [
  '--enable-source-maps',
  // A turn allocates a lot that dies young: fewer scavenges cost ~10% less CPU per turn.
  '--max-semi-space-size=64',
  // V8 otherwise starts allocating some per-turn objects straight into the old generation
  // once, for a moment, many of them were in flight; they then wait for a full collection.
  // Promoted per turn at c=50: 6.6–15.2 KB without it, 3.7 KB with it (bench/README.md).
  '--no-allocation-site-pretenuring',
];
