/* Travel checker start page: shows the one-page form's button; checker.js is loaded only when
   asked for. A file, not an inline script: the CSP allows none (lintas/site/csp.py). */
(function(){var p=document.querySelector(".lintas-checker-onepage");if(!p)return;p.hidden=false;p.querySelector("button").addEventListener("click",function(){var s=document.createElement("script");s.src=p.getAttribute("data-src");document.body.appendChild(s);p.hidden=true;});})();
