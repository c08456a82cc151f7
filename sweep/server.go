package sweep

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerOptions are the settings of an embedded server. The zero value
// means a server on 127.0.0.1 with a random port that stores its data in a
// temporary directory.
type ServerOptions struct {
	// StoreDir is the JetStream storage directory. If empty, a temporary
	// directory is used and removed by Shutdown.
	StoreDir string
	// Host is the address to listen on (default "127.0.0.1"); use
	// "0.0.0.0" to accept workers from other machines.
	Host string
	// Port is the client port (0 = a random free port).
	Port int
}

// Server is an embedded NATS server with JetStream enabled.
type Server struct {
	srv *server.Server
	tmp string // temporary store directory removed at Shutdown
}

// StartServer starts an embedded JetStream server on 127.0.0.1 with a random
// port that stores its data in storeDir, or in a temporary directory removed
// by Shutdown if storeDir is empty.
func StartServer(storeDir string) (*Server, error) {
	return StartServerWith(ServerOptions{StoreDir: storeDir})
}

// StartServerWith starts an embedded JetStream server with the options o.
func StartServerWith(o ServerOptions) (*Server, error) {
	s := &Server{}
	dir := o.StoreDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "hnn-sweep-*")
		if err != nil {
			return nil, fmt.Errorf("sweep: server store: %w", err)
		}
		dir, s.tmp = tmp, tmp
	}
	host, port := o.Host, o.Port
	if host == "" {
		host = "127.0.0.1"
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "hnn-sweep",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		NoLog:      true,
		NoSigs:     true,
	})
	if err != nil {
		s.removeTmp()
		return nil, fmt.Errorf("sweep: server: %w", err)
	}
	s.srv = srv
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("sweep: server on %s (port %d) not ready after 10s", host, o.Port)
	}
	return s, nil
}

// URL returns the client URL of the server, such as "nats://127.0.0.1:4222".
func (s *Server) URL() string { return s.srv.ClientURL() }

// Shutdown stops the server and waits until it has stopped. It removes the
// store directory if StartServer created it.
func (s *Server) Shutdown() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
	s.removeTmp()
}

func (s *Server) removeTmp() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
		s.tmp = ""
	}
}
