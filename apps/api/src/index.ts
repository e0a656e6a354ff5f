export { type DemoApi, type DemoApiDpopOptions, type DemoApiOptions, startDemoApi } from './api.js';
