package dev.hybrid.internal;

import dev.hybrid.config.FieldPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads, removes and puts values at a {@link FieldPath} ({@code trainingService[1].machineList[0].password}) in a
 * config tree of plain maps and lists, as a YAML parser gives it: how secrets are kept out of the stored settings and
 * put back on resume.
 */
public final class ConfigTree {
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]*)((?:\\[\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private ConfigTree() {
    }

    /** The value at {@code path}, if the tree has one there. */
    public static Optional<Object> get(Object tree, FieldPath path) {
        List<Object> steps = steps(path);
        Object at = tree;
        for (Object step : steps) {
            at = child(at, step);
            if (at == null) {
                return Optional.empty();
            }
        }
        return Optional.of(at);
    }

    /** Removes the value at {@code path} from its map; returns whether there was one. */
    public static boolean remove(Object tree, FieldPath path) {
        List<Object> steps = steps(path);
        if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof String key)) {
            return false;
        }
        Optional<Object> parent = get(tree, parentOf(steps));
        if (parent.isPresent() && parent.get() instanceof Map<?, ?> m && m.containsKey(key)) {
            m.remove(key);
            return true;
        }
        return false;
    }

    /** Puts {@code value} at {@code path}, whose parent map must exist; returns whether it did. */
    @SuppressWarnings("unchecked")
    public static boolean put(Object tree, FieldPath path, Object value) {
        List<Object> steps = steps(path);
        if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof String key)) {
            return false;
        }
        Optional<Object> parent = get(tree, parentOf(steps));
        if (parent.isPresent() && parent.get() instanceof Map<?, ?> m) {
            ((Map<String, Object>) m).put(key, value);
            return true;
        }
        return false;
    }

    private static FieldPath parentOf(List<Object> steps) {
        StringBuilder sb = new StringBuilder();
        for (Object s : steps.subList(0, steps.size() - 1)) {
            if (s instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(s);
            }
        }
        return FieldPath.of(sb.toString());
    }

    private static Object child(Object at, Object step) {
        if (step instanceof Integer i) {
            return at instanceof List<?> l && i < l.size() ? l.get(i) : null;
        }
        return at instanceof Map<?, ?> m ? m.get(step) : null;
    }

    /** Map keys (strings) and list indexes (integers), in order. */
    private static List<Object> steps(FieldPath path) {
        List<Object> steps = new ArrayList<>();
        if (path.isRoot()) {
            return steps;
        }
        for (String part : path.value().split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a field path: " + path.value());
            }
            if (!m.group(1).isEmpty()) {
                steps.add(m.group(1));
            }
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) {
                steps.add(Integer.parseInt(idx.group(1)));
            }
        }
        return steps;
    }
}
