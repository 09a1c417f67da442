// res4.js - c-ares, as node's dns.resolve4 uses it (dns.lookup would be
// glibc's getaddrinfo). Exits 0 when the name resolved, 2 when it did not.
const dns = require('dns');
dns.resolve4(process.argv[2], (err, a) => {
	if (err) {
		console.log('error:', err.code);
		process.exit(2);
	}
	console.log(a.join('\n'));
});
