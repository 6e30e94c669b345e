package io.hactl.controller.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix stream socket, mode 0600 in a directory only root may
 * write, answering one JSON request per connection. Clients that are not root (SO_PEERCRED) are
 * refused even if the file modes were loosened.
 *
 * <p>One thread accepts and reads every connection without blocking, each within a deadline: a
 * client that does not send its request line in time is cut off and counted, and when
 * {@link #MAX_CONNECTIONS} are open the one idle longest makes room for the newcomer, so idle
 * clients never keep others out. A complete request goes to its lane ({@link ControlRequest.Lane}):
 * keepalived's notify, quick questions (status, ping, stats) and table-sized operations (commit,
 * resync, cache) each have threads of their own, so none waits behind another kind.
 *
 * <p>The server keeps the socket and the reading of requests; {@link SocketFile} prepares the
 * socket's path and modes, {@link RequestLanes} answers the requests, {@link Replies} writes the
 * answers and refusals.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    /** Open connections at most (reading or being answered). */
    public static final int MAX_CONNECTIONS = 64;
    /** Time a client has, from connecting, to send its request line (the CLI sends it at once). */
    public static final Duration READ_DEADLINE = Duration.ofSeconds(2);

    /** Answers a request with a value Jackson writes (a record, a map, a number...); throws to answer an error. */
    public interface Handler {
        Object handle(ControlRequest request) throws Exception;
    }

    /** A connection still sending its request. */
    private static final class Reading {
        final SocketChannel ch;
        final long deadline;
        final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Reading(SocketChannel ch, long deadline) {
            this.ch = ch;
            this.deadline = deadline;
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final RequestLanes lanes;
    private final boolean requireRoot;
    private final long readDeadlineNanos;
    private final Thread io;
    /** Oldest first: the first to make room. Touched only by the io thread. */
    private final Map<SocketChannel, Reading> reading = new LinkedHashMap<>();
    private final ByteBuffer readBuf = ByteBuffer.allocate(4096);
    private volatile boolean open = true;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();

    private ControlServer(Path path, ServerSocketChannel server, Handler handler, boolean requireRoot, Duration readDeadline)
            throws IOException {
        this.path = path;
        this.server = server;
        this.lanes = new RequestLanes(handler);
        this.requireRoot = requireRoot;
        this.readDeadlineNanos = readDeadline.toNanos();
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.io = new Thread(this::ioLoop, "hactl-control-io");
        this.io.setDaemon(true);
    }

    /**
     * Binds the socket. Refuses when another daemon answers on it; removes a stale file; creates
     * the directory (0700) if missing and refuses a directory others may write to.
     */
    public static ControlServer start(Path path, Handler handler, boolean requireRoot) throws IOException {
        return start(path, handler, requireRoot, READ_DEADLINE);
    }

    static ControlServer start(Path path, Handler handler, boolean requireRoot, Duration readDeadline) throws IOException {
        ServerSocketChannel server = SocketFile.bind(path);
        ControlServer s = new ControlServer(path, server, handler, requireRoot, readDeadline);
        s.io.start();
        return s;
    }

    private void ioLoop() {
        while (open) {
            try {
                // until the oldest client's deadline; with none, until a client comes (an idle
                // daemon's thread sleeps: close() wakes it by closing the selector)
                long wait = 0;
                for (Reading r : reading.values()) {
                    wait = Math.max(1, (r.deadline - System.nanoTime()) / 1_000_000 + 1);
                    break; // the oldest has the nearest deadline
                }
                selector.select(wait);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        acceptAll();
                    } else if (k.isReadable()) {
                        read(k);
                    }
                }
                expire(System.nanoTime());
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (open) {
                    LOG.warn("control socket: {}", e.toString());
                }
            }
        }
    }

    private void acceptAll() throws IOException {
        // bounded by the backlog: accept returns null once it is empty
        for (int i = 0; i < 1024; i++) {
            SocketChannel ch = server.accept();
            if (ch == null) {
                return;
            }
            accepted.incrementAndGet();
            ch.configureBlocking(false);
            if (requireRoot) {
                UnixDomainPrincipal who = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!"root".equals(who.user().getName())) {
                    Replies.refuse(ch, "only root may control hactl (you are " + who.user().getName() + ")");
                    continue;
                }
            }
            if (reading.size() + lanes.answering() >= MAX_CONNECTIONS) {
                Iterator<Reading> oldest = reading.values().iterator();
                if (oldest.hasNext()) {
                    Reading r = oldest.next();
                    oldest.remove();
                    evicted.incrementAndGet();
                    Replies.closeQuietly(r.ch);
                } else {
                    refused.incrementAndGet();
                    Replies.refuse(ch, "too many control requests in progress (" + MAX_CONNECTIONS + "); try again");
                    continue;
                }
            }
            reading.put(ch, new Reading(ch, System.nanoTime() + readDeadlineNanos));
            ch.register(selector, SelectionKey.OP_READ);
        }
    }

    private void read(SelectionKey k) {
        SocketChannel ch = (SocketChannel) k.channel();
        Reading r = reading.get(ch);
        if (r == null) {
            k.cancel();
            return;
        }
        try {
            readBuf.clear();
            int n = ch.read(readBuf);
            boolean eof = n < 0;
            readBuf.flip();
            while (readBuf.hasRemaining()) {
                byte c = readBuf.get();
                if (c == '\n') {
                    dispatch(k, r);
                    return;
                }
                r.line.write(c);
            }
            if (r.line.size() > ControlProtocol.MAX_REQUEST) {
                badRequests.incrementAndGet();
                drop(k, r);
                Replies.refuse(ch, "request longer than " + ControlProtocol.MAX_REQUEST + " bytes");
            } else if (eof) {
                if (r.line.size() > 0) {
                    dispatch(k, r);
                } else {
                    drop(k, r);
                    Replies.closeQuietly(ch);
                }
            }
        } catch (IOException e) {
            drop(k, r);
            Replies.closeQuietly(ch);
        }
    }

    private void drop(SelectionKey k, Reading r) {
        k.cancel();
        reading.remove(r.ch);
    }

    private void dispatch(SelectionKey k, Reading r) {
        drop(k, r);
        ControlRequest request;
        try {
            request = RequestCodec.decode(r.line.toByteArray());
        } catch (IllegalArgumentException e) {
            badRequests.incrementAndGet();
            Replies.refuse(r.ch, e.getMessage());
            return;
        }
        lanes.submit(r.ch, request);
    }

    /** Cuts off clients that did not send their request in time (the oldest come first). */
    private void expire(long now) {
        Iterator<Reading> it = reading.values().iterator();
        while (it.hasNext()) {
            Reading r = it.next();
            if (now - r.deadline < 0) {
                return;
            }
            it.remove();
            timedOut.incrementAndGet();
            LOG.debug("control socket: a client sent no request within {} ms, closed", readDeadlineNanos / 1_000_000);
            SelectionKey k = r.ch.keyFor(selector);
            if (k != null) {
                k.cancel();
            }
            Replies.closeQuietly(r.ch);
        }
    }

    /** The socket's counters, for {@code hactl stats}; every name always present. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("control_connections", accepted.get());
        m.put("control_timed_out", timedOut.get());
        m.put("control_evicted", evicted.get());
        m.put("control_refused", refused.get());
        m.put("control_bad_requests", badRequests.get());
        return m;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        open = false;
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            io.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        new ArrayDeque<>(reading.values()).forEach(r -> Replies.closeQuietly(r.ch));
        lanes.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
