// First: a usable navigator.language before any library reads it (lib/locale.ts says why).
import './lib/locale';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
