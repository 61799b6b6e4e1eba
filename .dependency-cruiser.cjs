/** Layering rules from STYLE.md, checked in npm test. */
module.exports = {
  forbidden: [
    {
      name: 'library-stays-library',
      comment: 'src/ is the library: it never imports the CLI, commander, ink or react',
      severity: 'error',
      from: { path: '^src/' },
      // Bare names too: packages whose exports enhanced-resolve cannot map stay unresolved.
      to: { path: '^(cli/|(node_modules/)?(commander|ink|react|ink-testing-library)(/|$))' },
    },
    {
      name: 'ui-components-never-call-the-store',
      comment: 'UI components take props and render; data comes through hooks and sources',
      severity: 'error',
      from: { path: '^cli/ui/components/' },
      to: { path: '^src/(store|repo|git|api|pipeline|experiments|remote)/' },
    },
    {
      name: 'ink-only-in-the-ui',
      comment: 'ink and react load only with import() by mlv ui, so no other command pays for them',
      severity: 'error',
      from: { pathNot: '^cli/ui/' },
      to: { path: '^(node_modules/)?(ink|react)(/|$)', dynamic: false },
    },
    {
      name: 'no-circular-library',
      severity: 'warn',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
