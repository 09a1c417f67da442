// res4.js - c-ares, as node's dns.resolve4 uses it (dns.lookup would be
// glibc's getaddrinfo): A only, no search list.  One try of 1 s, as the
// lab's resolv.conf asks of the others (node's Resolver does not read
// resolv.conf's options).  Exits 0 when the name resolved, 2 when it did
// not.
const dns = require('dns');
const r = new dns.Resolver({ timeout: 1000, tries: 1 });
r.resolve4(process.argv[2], (err, a) => {
	if (err) {
		console.log('error:', err.code);
		process.exit(2);
	}
	console.log(a.join('\n'));
});
