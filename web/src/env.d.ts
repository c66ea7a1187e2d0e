// Lets `tsc` (which does not read .vue files) type the imports of components;
// `vue-tsc` checks the components themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
