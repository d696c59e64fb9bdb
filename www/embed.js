/* authscope's embed script: one line puts a walkthrough in a documentation page.
 *
 *   <script src="/authscope/embed.js" data-scenario="ntlm" data-variant="dc-down"
 *           data-step="4" data-autoplay data-theme="dark"></script>
 *
 * It inserts an <iframe> to embed.html (embed-kerberos.html for the Kerberos walkthrough, its own
 * bundle), from the folder embed.js was loaded from, right after the script, and sizes it to its
 * content as the walkthrough reports its height, up to a cap (data-max-height, in CSS pixels;
 * 720 by default): past it the walkthrough scrolls inside its frame, so the page around it never
 * moves by more than the cap. data-* attributes: scenario (basic | ntlm | kerberos), variant,
 * profile, os, url, offer, era, level, header, site, user, on, step, theme (light | dark),
 * autoplay, max-height, title (the frame's accessible name). Nothing else is loaded. */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me) return;
  var base = me.src.replace(/[^/]*$/, '');
  var keys = ['scenario', 'variant', 'profile', 'os', 'url', 'offer', 'era', 'level', 'header', 'site', 'user', 'on', 'step', 'theme'];
  var parts = [];
  keys.forEach(function (k) {
    var v = me.getAttribute('data-' + k);
    if (v !== null) parts.push(k + '=' + encodeURIComponent(v));
  });
  if (me.hasAttribute('data-autoplay')) parts.push('autoplay');
  var frame = document.createElement('iframe');
  var page = me.getAttribute('data-scenario') === 'kerberos' ? 'embed-kerberos.html' : 'embed.html';
  frame.src = base + page + '#' + parts.join('&');
  frame.title = me.getAttribute('data-title') || 'authscope: ' + (me.getAttribute('data-scenario') || 'ntlm') + ' walkthrough';
  frame.setAttribute('loading', 'lazy');
  var max = Number(me.getAttribute('data-max-height'));
  if (!(max >= 200 && max <= 20000)) max = 720;
  frame.style.cssText = 'display:block;box-sizing:border-box;width:100%;height:' + Math.min(480, max) + 'px;border:1px solid rgba(127,127,127,.35);border-radius:8px';
  me.parentNode.insertBefore(frame, me.nextSibling);
  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow || !e.data || e.data.type !== 'authscope:size') return;
    var h = Number(e.data.height);
    if (h > 0 && h < 100000) frame.style.height = Math.min(Math.ceil(h) + 2, max) + 'px';
  });
})();
