package io.hactl.lab.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Memory;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.sys.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * When each probe flow of the churn load first reached the peer: a packet socket (AF_PACKET,
 * cooked, every protocol) in the peer's namespace reads every IPv4 UDP datagram arriving on or
 * leaving its links and looks for a probe's original source and destination addresses, which
 * both hactl's compact encoding and conntrackd's NTA_IPV4 carry side by side, in network order
 * (unencrypted sync only). The same measure for both systems, taken from outside either.
 */
final class ProbeCapture implements AutoCloseable {
    /** linux/socket.h, linux/if_ether.h, asm-generic/socket.h */
    private static final int AF_PACKET = 17;
    private static final int SOCK_DGRAM = 2;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int EAGAIN = 11;

    private final int fd;
    private final Thread reader;
    /** Arrival time (System.nanoTime) of each probe id, 0 while not seen; read after close(). */
    private final long[] arrivals = new long[ChurnLoad.PROBE_IDS];
    private volatile boolean stopped;
    private long datagrams;

    private ProbeCapture(int fd) {
        this.fd = fd;
        reader = new Thread(this::read, "probe-capture");
        reader.setDaemon(true);
    }

    static ProbeCapture start(Netns ns) {
        int fd = ns.call(() -> LibC.socket(AF_PACKET, SOCK_DGRAM, Short.reverseBytes((short) ETH_P_ALL)));
        try {
            // a burst of sync datagrams must not overflow the socket while the reader scans
            LibC.setIntSockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 64 * 1024 * 1024);
            // 100 ms receive timeout: the reader notices close() within it
            byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(100_000).array();
            LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw e;
        }
        ProbeCapture c = new ProbeCapture(fd);
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
            long now = System.nanoTime();
            buf.read(0, packet, 0, (int) n);
            look(packet, (int) n, now);
        }
    }

    private void look(byte[] p, int n, long now) {
        if (n < 28 || (p[0] >> 4) != 4 || p[9] != 17) {
            return;
        }
        datagrams++;
        int payload = (p[0] & 0x0f) * 4 + 8;
        byte[] sig = ChurnLoad.PROBE_SIGNATURE;
        for (int i = payload; i + 8 <= n; i++) {
            if (p[i] == sig[0] && p[i + 1] == sig[1] && p[i + 4] == sig[2] && p[i + 5] == sig[3]
                    && p[i + 6] == sig[4] && p[i + 7] == sig[5]) {
                int id = ((p[i + 2] & 0xff) << 8) | (p[i + 3] & 0xff);
                if (arrivals[id] == 0) {
                    arrivals[id] = now;
                }
            }
        }
    }

    /** Probe arrival times by id (0: never seen); valid once closed. */
    long[] arrivals() {
        return arrivals.clone();
    }

    /** IPv4 UDP datagrams read; valid once closed. */
    long datagrams() {
        return datagrams;
    }

    @Override
    public void close() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        reader.join(5_000);
        LibC.close(fd);
    }
}
