/* iframe-worker 1.0.4 (MIT, see iframe-worker-LICENSE.txt): what the shim wrote inline into its
   iframe, as a file (Lintas: no inline script under the CSP). The worker script is the next one. */
window.postMessage=function(s,n){parent.postMessage(s,n||"*")};
window.importScripts=function(...s){return s.reduce((n,e)=>n.then(()=>new Promise(r=>{let t=document.createElement("script");t.src=e,t.onload=r,document.body.appendChild(t)})),Promise.resolve())};
addEventListener("error",({error})=>{var w=document.scripts[1];parent.dispatchEvent(new ErrorEvent("error",{filename:w?w.src.replace(/[?].*$/,""):"",error}))});
