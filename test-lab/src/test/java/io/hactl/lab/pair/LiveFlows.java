package io.hactl.lab.pair;

import io.hactl.sync.lab.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Live TCP flows through the firewall pair: an echo server in the server namespace, N client
 * connections from the client namespace, each sending a small message every period and
 * expecting its echo. Records, per flow, the longest wait for an echo (the stall) and whether it
 * died (reset, or silent past the dead threshold).
 */
public final class LiveFlows implements AutoCloseable {
    public record Report(int opened, int survived, int died, long worstStallMillis) {
        @Override
        public String toString() {
            return opened + " flows: " + survived + " survived, " + died + " died, worst stall " + worstStallMillis + " ms";
        }
    }

    private static final int DEFAULT_PORT = 7007;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread serverThread;
    private final Thread clientThread;
    private final Selector serverSel;
    private final Selector clientSel;
    private final ServerSocketChannel server;
    private final List<Flow> flows = new ArrayList<>();
    private final List<SocketChannel> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long periodNanos;

    private static final class Flow {
        final SocketChannel ch;
        volatile long lastEcho;
        volatile long sentAt = -1;
        volatile long worst;
        volatile boolean dead;
        final ByteBuffer in = ByteBuffer.allocate(64);

        Flow(SocketChannel ch, long now) {
            this.ch = ch;
            this.lastEcho = now;
        }
    }

    private LiveFlows(Netns serverNs, Netns clientNs, int n, long periodMillis, int port) throws Exception {
        this.periodNanos = periodMillis * 1_000_000;
        this.serverSel = Selector.open();
        this.clientSel = Selector.open();
        this.server = serverNs.call(() -> {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(FirewallPair.SERVER, port), 4096);
            return s;
        });
        server.configureBlocking(false);
        server.register(serverSel, SelectionKey.OP_ACCEPT);
        serverThread = new Thread(this::serve, "lab-echo-server");
        serverThread.setDaemon(true);
        serverThread.start();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            SocketChannel ch = clientNs.call(SocketChannel::open);
            ch.socket().setTcpNoDelay(true);
            ch.connect(new InetSocketAddress(FirewallPair.SERVER, port)); // blocking connect, bounded by TCP's own timeout
            ch.configureBlocking(false);
            Flow f = new Flow(ch, now);
            flows.add(f);
            ch.register(clientSel, SelectionKey.OP_READ, f);
        }
        clientThread = new Thread(this::drive, "lab-clients");
        clientThread.setDaemon(true);
        clientThread.start();
    }

    /** Opens {@code n} flows, each echoing every {@code periodMillis}. */
    public static LiveFlows open(Netns server, Netns client, int n, long periodMillis) throws Exception {
        return new LiveFlows(server, client, n, periodMillis, DEFAULT_PORT);
    }

    /** As above, with the echo server on another port (a second set of flows). */
    public static LiveFlows open(Netns server, Netns client, int n, long periodMillis, int port) throws Exception {
        return new LiveFlows(server, client, n, periodMillis, port);
    }

    private void serve() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (running.get()) {
            try {
                serverSel.select(100);
                Iterator<SelectionKey> it = serverSel.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel c = server.accept();
                        if (c != null) {
                            accepted.add(c);
                            c.configureBlocking(false);
                            c.socket().setTcpNoDelay(true);
                            c.register(serverSel, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        buf.clear();
                        int r;
                        try {
                            r = c.read(buf);
                        } catch (IOException e) {
                            r = -1;
                        }
                        if (r < 0) {
                            k.cancel();
                            c.close();
                            continue;
                        }
                        buf.flip();
                        c.write(buf);
                    }
                }
            } catch (IOException e) {
                // a broken connection: the client side notices
            }
        }
    }

    private void drive() {
        ByteBuffer ping = ByteBuffer.wrap("hactl-lab-ping\n".getBytes());
        while (running.get()) {
            long now = System.nanoTime();
            for (Flow f : flows) {
                if (f.dead || f.sentAt >= 0) {
                    continue; // waiting for the echo of the last ping
                }
                if (now - f.lastEcho >= periodNanos) {
                    try {
                        f.ch.write(ping.duplicate());
                        f.sentAt = now;
                    } catch (IOException e) {
                        f.dead = true;
                    }
                }
            }
            try {
                clientSel.select(5);
            } catch (IOException e) {
                return;
            }
            now = System.nanoTime();
            Iterator<SelectionKey> it = clientSel.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Flow f = (Flow) k.attachment();
                try {
                    f.in.clear();
                    int r = f.ch.read(f.in);
                    if (r < 0) {
                        f.dead = true;
                        k.cancel();
                    } else if (r > 0 && f.sentAt >= 0) {
                        f.worst = Math.max(f.worst, now - f.sentAt);
                        f.lastEcho = now;
                        f.sentAt = -1;
                    }
                } catch (IOException e) {
                    f.dead = true; // reset
                    k.cancel();
                }
            }
            for (Flow f : flows) {
                if (f.sentAt >= 0) {
                    f.worst = Math.max(f.worst, now - f.sentAt);
                }
            }
        }
    }

    /** Longest current wait of any living flow, ms. */
    public synchronized long currentWorstStallMillis() {
        long w = 0;
        for (Flow f : flows) {
            w = Math.max(w, f.worst);
        }
        return w / 1_000_000;
    }

    /** Whether every flow has echoed within {@code millis} just now. */
    public boolean allEchoingWithin(long millis) {
        long now = System.nanoTime();
        for (Flow f : flows) {
            if (f.dead || now - f.lastEcho > millis * 1_000_000 + periodNanos) {
                return false;
            }
        }
        return true;
    }

    /** Flows count as dead when reset, or when silent for longer than {@code deadMillis} now. */
    public Report report(long deadMillis) {
        long now = System.nanoTime();
        int died = 0;
        long worst = 0;
        for (Flow f : flows) {
            boolean silent = now - f.lastEcho > deadMillis * 1_000_000;
            if (f.dead || silent) {
                died++;
            }
            worst = Math.max(worst, f.worst);
        }
        return new Report(flows.size(), flows.size() - died, died, worst / 1_000_000);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            serverThread.join(2000);
            clientThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Flow f : flows) {
            try {
                f.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (SocketChannel c : accepted) {
            try {
                c.close(); // the server's side of each flow: a selector does not close its channels
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            server.close();
            serverSel.close();
            clientSel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
