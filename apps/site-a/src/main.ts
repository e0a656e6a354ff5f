import { startDemoSite } from '@sso-spa/demo-shared';

// Site A is its own site with its own client id; only its accent colour and /config.json differ.
document.documentElement.style.setProperty('--accent', '#4f46e5');
void startDemoSite(document.getElementById('root')!);
