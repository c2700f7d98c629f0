import { defineConfig, type Plugin } from 'vite';

/** The widget imports only types from @threadline/contracts; a value import would drag zod into every host page. */
const noZod: Plugin = {
  name: 'threadline-no-zod',
  enforce: 'pre',
  resolveId(id) {
    if (id === 'zod' || id.startsWith('zod/')) throw new Error('the widget must import only types from @threadline/contracts (zod stays out of the bundle)');
    return null;
  },
};

// One classic script (IIFE) with everything inlined, CSS included (imported with ?inline),
// so embedding is a single <script> tag on any page.
export default defineConfig({
  plugins: [noZod],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    reportCompressedSize: true,
    lib: {
      entry: 'src/main.ts',
      name: 'ThreadlineWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
