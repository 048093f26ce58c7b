// Node's floor for a read-only command: start, one TLS GET of the managed clusters with a client
// certificate (Node's https), the names as JSON on stdout. No CLI, no kubeconfig parsing: what any
// Node program pays for `get clusters`. Usage: node bench/node-floor.mjs <dir with server, ca.pem,
// cert.pem, key.pem>
const fs = process.getBuiltinModule('node:fs');
const https = process.getBuiltinModule('node:https');
const dir = process.argv[2];
const read = (f) => fs.readFileSync(`${dir}/${f}`, 'utf8');
const url = `${read('server')}/apis/cluster.open-cluster-management.io/v1/managedclusters`;
https
  .get(url, { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), headers: { accept: 'application/json' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => {
      if (res.statusCode !== 200) {
        process.stderr.write(`HTTP ${res.statusCode}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(JSON.parse(body).items.map((i) => i.metadata.name))}\n`);
    });
  })
  .on('error', (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
