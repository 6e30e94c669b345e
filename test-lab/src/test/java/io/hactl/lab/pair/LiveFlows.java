package io.hactl.lab.pair;

import io.hactl.sync.lab.Netns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Live TCP flows through the firewall pair: an echo server in the server namespace (a process of
 * its own, {@link EchoServer}), N client connections from the client namespace, each sending a
 * small message every period and expecting its echo. Records, per flow, the longest wait for an echo (the stall) and whether it
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
    private final Process server;
    private final Thread clientThread;
    private final Selector clientSel;
    private final List<Flow> flows = new ArrayList<>();
    private final long periodNanos;

    private static final class Flow {
        final SocketChannel ch;
        volatile long lastEcho;
        volatile long sentAt = -1;
        volatile long worst;
        volatile long worstBegan;
        volatile boolean dead;
        final ByteBuffer in = ByteBuffer.allocate(64);

        Flow(SocketChannel ch, long now) {
            this.ch = ch;
            this.lastEcho = now;
        }
    }

    private LiveFlows(Netns serverNs, Netns clientNs, int n, long periodMillis, int port) throws Exception {
        this.periodNanos = periodMillis * 1_000_000;
        this.clientSel = Selector.open();
        this.server = startServer(serverNs, port);
        try {
            connect(clientNs, n, port);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        clientThread = new Thread(this::drive, "lab-clients");
        clientThread.setDaemon(true);
        clientThread.start();
    }

    private static Process startServer(Netns ns, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-Xss256k",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), EchoServer.class.getName(),
                FirewallPair.SERVER, Integer.toString(port))
                .redirectErrorStream(true).start();
        ChildProcesses.started(p.toHandle());
        // "listening" once bound (a JVM warning may come first); its end, or 30 s without it, is a failure
        StringBuffer said = new StringBuffer(); // written by the reader, read here on failure
        java.util.concurrent.CompletableFuture<Boolean> up = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.equals("listening")) {
                        return true;
                    }
                    said.append(l).append('\n');
                }
            } catch (IOException e) {
                said.append(e);
            }
            return false;
        });
        boolean listening;
        try {
            listening = up.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            listening = false;
        }
        if (!listening) {
            ChildProcesses.stop(p, 2);
            throw new IllegalStateException("echo server in " + ns.name() + " did not start: " + said);
        }
        return p;
    }

    private void connect(Netns clientNs, int n, int port) throws Exception {
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
    }

    /** Opens {@code n} flows, each echoing every {@code periodMillis}. */
    public static LiveFlows open(Netns server, Netns client, int n, long periodMillis) throws Exception {
        return new LiveFlows(server, client, n, periodMillis, DEFAULT_PORT);
    }

    /** As above, with the echo server on another port (a second set of flows). */
    public static LiveFlows open(Netns server, Netns client, int n, long periodMillis, int port) throws Exception {
        return new LiveFlows(server, client, n, periodMillis, port);
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
                        if (now - f.sentAt > f.worst) {
                            f.worst = now - f.sentAt;
                            f.worstBegan = f.sentAt;
                        }
                        f.lastEcho = now;
                        f.sentAt = -1;
                    }
                } catch (IOException e) {
                    f.dead = true; // reset
                    k.cancel();
                }
            }
            for (Flow f : flows) {
                long sent = f.sentAt;
                if (sent >= 0 && now - sent > f.worst) {
                    f.worst = now - sent;
                    f.worstBegan = sent;
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

    /**
     * Forgets the stalls so far (those of opening the flows and of the initial replication), so
     * that the worst stall reported is that of what comes next: a ping already waiting keeps
     * counting from when it was sent.
     */
    public void forgetStalls() {
        for (Flow f : flows) {
            f.worst = 0;
            f.worstBegan = 0;
        }
    }

    /** When (System.nanoTime) the worst stall so far began: its ping's send time; 0 without one. */
    public long worstStallBeganAt() {
        long w = -1;
        long at = 0;
        for (Flow f : flows) {
            if (f.worst > w) {
                w = f.worst;
                at = f.worstBegan;
            }
        }
        return at;
    }

    /** How many flows' worst stall since {@link #forgetStalls} is at least {@code millis}. */
    public long stalledAtLeast(long millis) {
        return flows.stream().filter(f -> f.worst >= millis * 1_000_000).count();
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

    /** Flows ended by the network: reset, or closed by the other side (a live flow never is). */
    public long resetOrClosed() {
        return flows.stream().filter(f -> f.dead).count();
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
            if (clientThread != null) {
                clientThread.join(2000);
            }
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
        try {
            clientSel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        ChildProcesses.stop(server, 2); // its sockets close with it
    }
}
