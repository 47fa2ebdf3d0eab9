package leak

import "errors"

// A Conn is a connection; a Client built on it works until it is closed.
type Conn struct{ closed bool }

func Dial(addr string) (*Conn, error) {
	if addr == "" {
		return nil, errors.New("dial: empty address")
	}
	return &Conn{}, nil
}

func (c *Conn) Close() error {
	c.closed = true
	return nil
}

type Client struct{ conn *Conn }

func NewClient(c *Conn) *Client { return &Client{conn: c} }

func (cl *Client) Call() error {
	if cl.conn.closed {
		return errors.New("call: use of closed connection")
	}
	return nil
}

// CallAll dials every address and calls each through a client built on its
// connection. (Reduced from minio's metacache readers and grpc-go's xds
// interop client: the wrapper outlives the iteration, so must the conn.)
func CallAll(addrs []string) error {
	clients := make([]*Client, len(addrs))
	for i, addr := range addrs {
		conn, err := Dial(addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		clients[i] = NewClient(conn)
	}
	for _, c := range clients {
		if err := c.Call(); err != nil {
			return err
		}
	}
	return nil
}
