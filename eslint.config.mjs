// ESLint (flat config): typescript-eslint's recommended rules for every TypeScript and JavaScript source.
// Formatting is Prettier's job (npm run format:check); module boundaries are dependency-cruiser's
// (.dependency-cruiser.cjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Comments explain the code to whoever reads it, with or without this project's tracker: they cite
// docs/algorithms.md or a paper, never "issue N".
const noIssueNumbers = {
  meta: { type: 'suggestion', messages: { issue: 'A comment cites an issue number; say what and why instead.' } },
  create: (context) => ({
    Program: () => {
      for (const comment of context.sourceCode.getAllComments())
        if (/\bissues? #?\d+/i.test(comment.value)) context.report({ loc: comment.loc, messageId: 'issue' });
    },
  }),
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/coverage/**',
      '.nx/**',
      'runs/**',
      'packages/dsl/src/Cst.ts',
      '**/*.tmp.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { sprout: { rules: { 'no-issue-numbers': noIssueNumbers } } },
    rules: {
      'sprout/no-issue-numbers': 'error',
      // A package's internal/ modules are its own: what it offers others lives outside internal/.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ExportNamedDeclaration[source.value=/\\/internal\\//], ExportAllDeclaration[source.value=/\\/internal\\//]',
          message: 'Do not re-export an internal/ module; move what is public out of internal/.',
        },
      ],
      // The lexer, printer and bundle checks look for control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.cjs', 'packages/cli/bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
