package io.hactl.controller.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Reads one request line strictly: a JSON object with {@code "v":1} (a number, not "1"), a known
 * {@code cmd}, and only the keys of that command, each of its type. Every refusal names the key.
 */
public final class RequestCodec {
    private RequestCodec() {}

    private static final ObjectMapper STRICT = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper m = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // "state": 1 is not the string "1", nor is "cache": true a cache name
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Enum).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return m;
    }

    /** Parses a request line; the message of the exception is the reply's error. */
    public static ControlRequest decode(byte[] line) {
        JsonNode tree;
        try {
            tree = STRICT.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("request is not JSON: " + firstLine(e));
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("request must be a JSON object");
        }
        ObjectNode o = (ObjectNode) tree.deepCopy();
        JsonNode v = o.remove("v");
        if (v == null) {
            throw new IllegalArgumentException("key 'v' (the control protocol version) is missing");
        }
        if (!v.isIntegralNumber() || v.asLong() != ControlProtocol.VERSION) {
            throw new IllegalArgumentException("key 'v': control protocol version " + v + " is not supported (this daemon speaks "
                    + ControlProtocol.VERSION + ", a number)");
        }
        JsonNode cmd = o.get("cmd");
        if (cmd == null) {
            throw new IllegalArgumentException("key 'cmd' is missing");
        }
        if (!cmd.isTextual()) {
            throw new IllegalArgumentException("key 'cmd' must be a string, not " + cmd);
        }
        try {
            return STRICT.treeToValue(o, ControlRequest.class);
        } catch (InvalidTypeIdException e) {
            throw new IllegalArgumentException("key 'cmd': unknown command '" + cmd.asText() + "'");
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
                    .filter(k -> !k.equals("cmd")).sorted().collect(Collectors.joining(", "));
            throw new IllegalArgumentException("key '" + e.getPropertyName() + "' is not known for command '" + cmd.asText()
                    + "'" + (known.isEmpty() ? " (it takes no keys)" : " (known: " + known + ")"));
        } catch (JsonMappingException e) {
            String key = e.getPath().stream().map(r -> r.getFieldName() == null ? "[" + r.getIndex() + "]" : r.getFieldName())
                    .collect(Collectors.joining("."));
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw new IllegalArgumentException("command '" + cmd.asText() + "': " + iae.getMessage());
            }
            throw new IllegalArgumentException((key.isEmpty() ? "command '" + cmd.asText() + "'" : "key '" + key + "'")
                    + ": " + firstLine(e));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("command '" + cmd.asText() + "': " + firstLine(e));
        }
    }

    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        m = String.valueOf(m);
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
