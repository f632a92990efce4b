// Svelte 5 compiles the TypeScript in <script lang="ts"> itself (type
// annotations only), so no preprocessor is configured.
export default {};
