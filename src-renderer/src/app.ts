import { mount } from 'svelte';
import App from './App.svelte';

/** Mounts the app into the page. */
export function start(target: HTMLElement): void {
  mount(App, { target });
}
