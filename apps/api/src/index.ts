export { type DemoApi, type DemoApiOptions, startDemoApi } from './api.js';
