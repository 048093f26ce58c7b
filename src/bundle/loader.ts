/**
 * The container's program (`node -e LOADER -- <runtime flags>`): checks the mounted bundle against
 * the sha256 the Deployment expects, unpacks it into /tmp (the pod's only writable place) and
 * imports it as if it had been started as `node /tmp/<file> <flags>`. A mismatch is one log line
 * and exit 1: the pod then shows CrashLoopBackOff with that line, which `--wait` reports.
 */
export const LOADER = [
  "const fs=require('node:fs'),crypto=require('node:crypto'),zlib=require('node:zlib'),{pathToFileURL}=require('node:url');",
  'const file=process.env.OCMADM_BUNDLE,want=process.env.OCMADM_BUNDLE_SHA256;',
  "const fail=(m)=>{process.stderr.write('ocmadm runtime: '+m+'\\n');process.exit(1)};",
  'let gz;try{gz=fs.readFileSync(file)}catch(e){fail(`cannot read the bundle ${file}: ${e.message}`)}',
  "const got=crypto.createHash('sha256').update(gz).digest('hex');",
  'if(got!==want)fail(`bundle ${file} has sha256 ${got} but this Deployment expects ${want}; reinstall it with ocmadm upgrade`);',
  "const out='/tmp/'+require('node:path').basename(file,'.gz');",
  'fs.writeFileSync(out,zlib.gunzipSync(gz),{mode:0o600});',
  'process.argv.splice(1,0,out);',
  'import(pathToFileURL(out).href).catch((e)=>fail(`cannot load ${out}: ${e.message}`));',
].join('');
