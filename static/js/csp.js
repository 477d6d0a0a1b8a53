// Loaded before Bootstrap Italia's bundle: its video player would otherwise add <style>
// elements at load, which the strict Content-Security-Policy (style-src 'self') refuses.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
