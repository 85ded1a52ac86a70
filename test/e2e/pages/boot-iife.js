// The script-tag build booted from an external script: pages under `script-src 'self'` allow no inline code.
window.addEventListener('securitypolicyviolation', (e) => window.events?.push({ type: 'csp', at: Date.now(), code: e.violatedDirective }));
window.addEventListener('DOMContentLoaded', () => window.boot(window.ConnectPkce));
