// resolve.go - Go's own resolver (GODEBUG=netdns=go): what dockerd,
// containerd and most Kubernetes tooling use. LookupHost asks A and AAAA
// in parallel, each on its own connected UDP socket. Exits 0 when the name
// resolved, 2 when it did not.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: resolve NAME")
		os.Exit(2)
	}
	r := &net.Resolver{PreferGo: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addrs, err := r.LookupHost(ctx, os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
}
