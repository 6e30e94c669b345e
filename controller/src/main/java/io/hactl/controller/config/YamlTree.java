package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a Jackson tree, remembering the line of every key and value by its
 * path ("sync.filter.protocols[1]"), so that configuration errors can name their line.
 */
public final class YamlTree {
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlTree(JsonNode root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    public static YamlTree parse(String text) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlTree(JsonNodeFactory.instance.objectNode(), lines);
            }
            JsonNode root = read(p, "", lines);
            if (p.nextToken() != null) {
                throw new IOException("more than one YAML document");
            }
            return new YamlTree(root, lines);
        }
    }

    private static JsonNode read(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        lines.putIfAbsent(path, loc.getLineNr());
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = path.isEmpty() ? name : path + "." + name;
                    lines.put(child, p.currentTokenLocation().getLineNr());
                    if (o.has(name)) {
                        throw new IOException("line " + p.currentTokenLocation().getLineNr() + ": key '" + child
                                + "' appears twice");
                    }
                    p.nextToken();
                    o.set(name, read(p, child, lines));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(read(p, path + "[" + i++ + "]", lines));
                }
                return a;
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> {
                // every scalar is kept as its text: the reader decides what type it must be
                return f.textNode(p.getText());
            }
        }
    }

    /**
     * A parse failure as a configuration error: the line and column of the problem, the
     * parser's whole description, and where the construct it was reading began.
     */
    static ConfigError syntaxError(IOException e) {
        if (e.getCause() instanceof MarkedYAMLException m) {
            Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
            StringBuilder what = new StringBuilder();
            what.append(m.getProblem() != null ? m.getProblem() : m.getContext());
            if (m.getContext() != null && m.getProblem() != null) {
                what.append(" (").append(m.getContext());
                Mark c = m.getContextMark();
                if (c != null && (at == null || c.getLine() != at.getLine() || c.getColumn() != at.getColumn())) {
                    what.append(" that began at line ").append(c.getLine() + 1).append(", column ").append(c.getColumn() + 1);
                }
                what.append(")");
            }
            return new ConfigError("(yaml)", at == null ? 0 : at.getLine() + 1, at == null ? 0 : at.getColumn() + 1,
                    what.toString());
        }
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return new ConfigError("(yaml)", j.getLocation().getLineNr(), j.getLocation().getColumnNr(),
                    j.getOriginalMessage().strip().replace('\n', ' '));
        }
        return new ConfigError("(yaml)", 0, String.valueOf(e.getMessage()).strip().replace('\n', ' '));
    }

    public JsonNode root() {
        return root;
    }

    /** Line of the key or value at {@code path}, or of its nearest present parent; 0 when unknown. */
    public int line(String path) {
        String p = path;
        while (true) {
            Integer l = lines.get(p);
            if (l != null) {
                return l;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return lines.getOrDefault("", 0);
            }
            p = p.substring(0, cut);
        }
    }
}
