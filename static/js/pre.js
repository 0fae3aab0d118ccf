// Settings read by the vendor scripts, which load after this file: video.js (inside Bootstrap
// Italia) must not inject <style> elements, which the Content-Security-Policy forbids.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
