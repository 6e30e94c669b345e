package io.hactl.lab.pair;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The server side of {@link LiveFlows}, in a process of its own (started in the server namespace):
 * each connection's socket costs a descriptor, and one JVM cannot hold both sides of 10,000 flows
 * under this machine's limit of 20,000. Echoes what it reads. Prints "listening" once bound; ends
 * when its standard input closes, so it never outlives the lab that started it.
 * Usage: EchoServer ADDRESS PORT
 */
public final class EchoServer {
    public static void main(String[] args) throws IOException {
        InetAddress address = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent: only the end matters
                }
            } catch (IOException ignored) {
                // the parent is gone either way
            }
            System.exit(0);
        }, "echo-parent-watch");
        watchdog.setDaemon(true);
        watchdog.start();
        try (Selector sel = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(address, port), 4096);
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            System.out.println("listening");
            System.out.flush();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (true) {
                sel.select();
                Iterator<SelectionKey> it = sel.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c;
                        while ((c = server.accept()) != null) {
                            c.configureBlocking(false);
                            c.socket().setTcpNoDelay(true);
                            c.register(sel, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        echo(k, buf);
                    }
                }
            }
        }
    }

    private static void echo(SelectionKey k, ByteBuffer buf) {
        SocketChannel c = (SocketChannel) k.channel();
        buf.clear();
        try {
            if (c.read(buf) < 0) {
                k.cancel();
                c.close();
                return;
            }
            buf.flip();
            c.write(buf); // a few bytes: the socket buffer always takes them
        } catch (IOException e) {
            k.cancel();
            try {
                c.close(); // reset by the client side; it notices on its own
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
