// Command amplifylite is a self-hosted AWS Amplify Admin API (AmplifyBackend).
//
//	amplifylite serve [--listen HOST:PORT] [--data-dir DIR] [...]
package main

import (
	"os"

	"github.com/amplifylite/amplifylite/internal/server"
)

func main() { os.Exit(server.Main(os.Args[1:], os.Getenv, os.Stderr)) }
