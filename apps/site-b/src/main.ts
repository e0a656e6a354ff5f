import { startDemoSite } from '@sso-spa/demo-shared';

// Site B is its own site with its own client id; only its accent colour and /config.json differ.
document.documentElement.style.setProperty('--accent', '#0f766e');
void startDemoSite(document.getElementById('root')!);
