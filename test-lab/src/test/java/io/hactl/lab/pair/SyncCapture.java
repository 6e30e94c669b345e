package io.hactl.lab.pair;

import com.sun.jna.Native;
import com.sun.jna.Memory;
import io.hactl.sync.sys.LibC;
import io.hactl.sync.lab.Netns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the sync datagrams a gateway sends and receives, as they are on its links: a packet
 * socket (AF_PACKET, cooked, every protocol) opened inside the gateway's namespace, so it sees
 * both directions without tcpdump. Counts the IPv4 UDP datagrams to or from the sync port, how
 * many carry each header flags value, and how many contain a given byte pattern anywhere.
 */
public final class SyncCapture implements AutoCloseable {
    /** linux/socket.h, linux/if_ether.h, asm-generic/socket.h */
    private static final int AF_PACKET = 17;
    private static final int SOCK_DGRAM = 2;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;

    private final int fd;
    private final int port;
    private final byte[] pattern;
    private final Thread reader;
    private volatile boolean stopped;
    public final AtomicLong datagrams = new AtomicLong();
    public final AtomicLong withPattern = new AtomicLong();
    /** Datagrams by their hactl header flags byte (index 0..255). */
    public final AtomicLong[] byFlags = new AtomicLong[256];

    private SyncCapture(int fd, int port, byte[] pattern) {
        this.fd = fd;
        this.port = port;
        this.pattern = pattern.clone();
        for (int i = 0; i < byFlags.length; i++) {
            byFlags[i] = new AtomicLong();
        }
        reader = new Thread(this::read, "sync-capture");
        reader.setDaemon(true);
    }

    public static SyncCapture start(Netns ns, int port, byte[] pattern) {
        int fd = ns.call(() -> LibC.socket(AF_PACKET, SOCK_DGRAM, Short.reverseBytes((short) ETH_P_ALL)));
        // 100 ms receive timeout: the reader notices close() within it
        byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(100_000).array();
        LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length);
        SyncCapture c = new SyncCapture(fd, port, pattern);
        c.reader.start();
        return c;
    }

    private void read() {
        Memory buf = new Memory(65_536);
        byte[] packet = new byte[65_536];
        while (!stopped) {
            long n = LibC.Polling.recv(fd, buf, packet.length, 0);
            if (n < 0) {
                if (Native.getLastError() == EAGAIN) {
                    continue;
                }
                return;
            }
            buf.read(0, packet, 0, (int) n);
            look(packet, (int) n);
        }
    }

    private void look(byte[] p, int n) {
        if (n < 20 || (p[0] >> 4) != 4 || p[9] != 17) {
            return;
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (n < ihl + 8) {
            return;
        }
        int sport = ((p[ihl] & 0xff) << 8) | (p[ihl + 1] & 0xff);
        int dport = ((p[ihl + 2] & 0xff) << 8) | (p[ihl + 3] & 0xff);
        if (sport != port && dport != port) {
            return;
        }
        int payload = ihl + 8;
        datagrams.incrementAndGet();
        if (n > payload + 3) {
            byFlags[p[payload + 3] & 0xff].incrementAndGet();
        }
        if (contains(p, payload, n)) {
            withPattern.incrementAndGet();
        }
    }

    private boolean contains(byte[] p, int from, int to) {
        for (int i = from; i + pattern.length <= to; i++) {
            int j = 0;
            while (j < pattern.length && p[i + j] == pattern[j]) {
                j++;
            }
            if (j == pattern.length) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        reader.join(5_000);
        LibC.close(fd);
    }

    @Override
    public String toString() {
        return datagrams + " sync datagrams, " + withPattern + " with the pattern, flags 0: " + byFlags[0]
                + ", 1: " + byFlags[1] + ", 2: " + byFlags[2];
    }
}
