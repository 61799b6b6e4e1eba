/** The layers of the README's Layout section, checked in npm test. */
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
    // The library's layers, lowest first: errors and compare (pure) < store, git < repo
    // < remote, ml < merge, pipeline < dvc, experiments < api < index.ts. A folder imports only from
    // below it, so no folder imports src/api and no two folders import each other.
    {
      name: 'compare-is-pure',
      comment: 'compare/ takes rows and returns rows: no I/O, nothing but errors and itself',
      severity: 'error',
      from: { path: '^src/compare/' },
      to: { pathNot: '^src/(compare|errors)/' },
    },
    {
      name: 'no-upward-import-to-api',
      comment: 'src/api is the top of the library: only index.ts and the CLI import it',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(api/|index\\.ts$)' },
      to: { path: '^src/(api/|index\\.ts$)' },
    },
    {
      name: 'no-upward-import-from-store-git-errors',
      severity: 'error',
      from: { path: '^src/(store|git|errors)/' },
      to: { path: '^src/(repo|remote|ml|merge|dvc|pipeline|experiments|api)/' },
    },
    {
      name: 'store-and-git-are-siblings',
      severity: 'error',
      from: { path: '^src/(store|git)/' },
      to: { path: '^src/(store|git)/', pathNot: '^src/$1/' },
    },
    {
      name: 'errors-at-the-bottom',
      severity: 'error',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: '^src/errors/' },
    },
    {
      name: 'no-upward-import-from-repo',
      severity: 'error',
      from: { path: '^src/repo/' },
      to: { path: '^src/(remote|ml|merge|dvc|pipeline|experiments|api)/' },
    },
    {
      name: 'no-upward-import-from-remote-ml',
      comment: 'remote/ and ml/ are siblings: neither imports the other or anything above',
      severity: 'error',
      from: { path: '^src/(remote|ml)/' },
      to: { path: '^src/(merge|dvc|pipeline|experiments|api)/|^src/(remote|ml)/', pathNot: '^src/$1/' },
    },
    {
      name: 'merge-beside-pipeline',
      comment: 'merge/ (the git merge driver) reads pointers, locks and remotes: nothing above, and nothing imports it but api/',
      severity: 'error',
      from: { path: '^src/merge/' },
      to: { path: '^src/(ml|dvc|pipeline|experiments|api)/' },
    },
    {
      name: 'dvc-above-pipeline',
      comment: 'dvc/ (mlv import-dvc) builds on pipeline/ and below; only api/ imports it',
      severity: 'error',
      from: { path: '^src/dvc/' },
      to: { path: '^src/(ml|merge|experiments|api)/' },
    },
    {
      name: 'only-api-imports-dvc',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(api/|dvc/|index\\.ts$)' },
      to: { path: '^src/dvc/' },
    },
    {
      name: 'only-api-imports-merge',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(api/|merge/|index\\.ts$)' },
      to: { path: '^src/merge/' },
    },
    {
      name: 'ml-stands-alone',
      comment: 'ml/ works on files and frames: it needs no repository, git or remote',
      severity: 'error',
      from: { path: '^src/ml/' },
      to: { path: '^src/(repo|git|remote)/' },
    },
    {
      name: 'no-upward-import-from-pipeline',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(experiments|api)/' },
    },
    {
      name: 'cli-goes-through-the-api',
      comment: 'commands call src/api (and the error classes, the pure compare rows), never the layers below',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^src/', pathNot: '^src/(api/|errors/|compare/|(index|version|progress)\\.ts$)' },
    },
    {
      name: 'no-circular-cli',
      comment: 'a cycle under cli/ (commands once imported main.ts for its exit code; an action returns its code instead)',
      severity: 'error',
      from: { path: '^cli/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-library',
      comment: 'a cycle inside the library, between modules or folders',
      severity: 'error',
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
