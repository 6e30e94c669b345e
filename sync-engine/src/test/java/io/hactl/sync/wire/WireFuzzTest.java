package io.hactl.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.conntrack.Flow;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Coverage-guided fuzzing (Jazzer) of what a peer's datagram goes through before the sync mode
 * sees it. Each input is read four ways: as it came off the network (a forger without the key
 * meets the MAC check), as header and payload that the harness seals with the pair's key (so the
 * fuzzer reaches the message and compact-flow decoders behind authentication), the same
 * encrypted with the key (AES-256-GCM, or ChaCha20-Poly1305 when the input's flags byte is 2)
 * and opened by a gateway configured so, and as a compact flow on its own.
 *
 * <p>A finding is any exception other than {@link WireException} / {@link CompactFlowException},
 * or an accepted input that does not re-encode to the same bytes: both codecs are canonical, and
 * the caches compare flows by their bytes.
 *
 * <p>Seeds and kept findings: src/test/resources/io/hactl/sync/wire/WireFuzzTestInputs/peerDatagram
 * (replayed by every build; the {@code fuzz} profile fuzzes for a bounded time).
 */
class WireFuzzTest {
    /** The pair's key in these runs; the seeds are header and payload, sealed with it here. */
    static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    private final Authenticator auth = new Authenticator(KEY);
    private final Authenticator gcm = new Authenticator(KEY, Encryption.AES_256_GCM);
    private final Authenticator chacha = new Authenticator(KEY, Encryption.CHACHA20_POLY1305);

    @FuzzTest(maxDuration = "25s")
    void peerDatagram(byte[] input) {
        opensOrRefuses(input, auth);
        opensOrRefuses(sealed(input), auth);
        Authenticator receiver = input.length > Wire.FLAGS_AT && input[Wire.FLAGS_AT] == 2 ? chacha : gcm;
        opensOrRefuses(encrypted(input, receiver.encryption()), receiver);
        opensOrRefuses(input, receiver);
        compactFlow(input);
    }

    /**
     * Header and payload with the flags set to {@code enc}, the payload encrypted under the
     * header's epoch and number (made non-negative: a sender refuses the others) and the tag
     * appended, as a peer with the key configured so sends them.
     */
    static byte[] encrypted(byte[] headerAndPayload, Encryption enc) {
        if (headerAndPayload.length < Wire.HEADER_LEN) {
            return headerAndPayload;
        }
        ByteBuffer b = ByteBuffer.allocate(headerAndPayload.length + Wire.AEAD_TAG_LEN).put(headerAndPayload);
        b.put(Wire.FLAGS_AT, (byte) enc.flag());
        b.putLong(Wire.NUMBER_AT, b.getLong(Wire.NUMBER_AT) & Long.MAX_VALUE);
        // a fresh sender: a JDK cipher refuses to encrypt twice in a row under one key and nonce
        new Authenticator(KEY, enc).aead().seal(b, 0, Wire.HEADER_LEN, headerAndPayload.length - Wire.HEADER_LEN,
                b.getLong(Wire.EPOCH_AT), b.getLong(Wire.NUMBER_AT));
        return b.array();
    }

    /** Header and payload followed by their MAC under {@link #KEY}, as a peer with the key sends them. */
    byte[] sealed(byte[] headerAndPayload) {
        ByteBuffer b = ByteBuffer.allocate(headerAndPayload.length + Wire.MAC_LEN).put(headerAndPayload);
        auth.sign(b, 0, headerAndPayload.length);
        return b.array();
    }

    private void opensOrRefuses(byte[] datagram, Authenticator receiver) {
        Datagram d;
        try {
            d = DatagramCodec.open(ByteBuffer.wrap(datagram), receiver);
        } catch (WireException e) {
            assertThat(e.reason()).isNotNull();
            return;
        }
        ByteBuffer again = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
        DatagramCodec.seal(again, d.epoch(), d.peerEpoch(), d.number(), d.messages(),
                receiver == auth ? auth : new Authenticator(KEY, receiver.encryption()));
        assertThat(Arrays.copyOf(again.array(), again.position()))
                .as("an opened datagram seals again to the same bytes: %s", d).isEqualTo(datagram);
        for (Message m : d.messages()) {
            if (m instanceof Message.FlowUpdate u) {
                compactFlow(u.flow());
            }
        }
    }

    /** What the receiver does with a FLOW_UPDATE body: the cheap common-shape check, else a full decode. */
    private static void compactFlow(byte[] bytes) {
        boolean common = CompactFlow.isCommonShape(bytes);
        Flow f;
        try {
            f = CompactFlow.decode(bytes);
        } catch (CompactFlowException e) {
            assertThat(common).as("isCommonShape accepted what decode refuses (%s)", e.getMessage()).isFalse();
            assertThatThrownBy(() -> CompactFlow.check(bytes)).isInstanceOf(CompactFlowException.class);
            return;
        }
        assertThatCode(() -> CompactFlow.check(bytes)).doesNotThrowAnyException();
        assertThat(CompactFlow.encode(f)).as("decoded %s re-encodes to the same bytes", f).isEqualTo(bytes);
    }
}
