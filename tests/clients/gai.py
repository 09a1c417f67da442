# gai.py - python's socket.getaddrinfo: glibc's resolver, as most scripts
# meet it. Exits 0 when the name resolved, 2 when it did not.
import socket
import sys

try:
    for ai in socket.getaddrinfo(sys.argv[1], 80, proto=socket.IPPROTO_TCP):
        print(ai[4][0])
except socket.gaierror as e:
    print("error:", e)
    sys.exit(2)
