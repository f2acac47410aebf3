package dev.hybrid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.FieldPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTreeTest {
    private static Map<String, Object> machine(String password) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", "h");
        m.put("password", password);
        return m;
    }

    private static Map<String, Object> tree() {
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("platform", "remote");
        service.put("machineList", new ArrayList<>(List.of(machine("one"), machine("two"))));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("trainingService", new ArrayList<>(List.of(Map.of("platform", "local"), service)));
        return root;
    }

    @Test
    void aValueInAListInAListIsReadRemovedAndPutBack() {
        Map<String, Object> tree = tree();
        FieldPath second = FieldPath.of("trainingService[1].machineList[1].password");

        assertThat(ConfigTree.get(tree, second)).contains("two");
        assertThat(ConfigTree.remove(tree, second)).isTrue();
        assertThat(ConfigTree.get(tree, second)).isEmpty();
        assertThat(ConfigTree.get(tree, FieldPath.of("trainingService[1].machineList[0].password"))).contains("one");
        assertThat(ConfigTree.put(tree, second, "again")).isTrue();
        assertThat(ConfigTree.get(tree, second)).contains("again");
    }

    @Test
    void pathsThatLeadNowhereChangeNothing() {
        Map<String, Object> tree = tree();

        assertThat(ConfigTree.get(tree, FieldPath.of("trainingService[5].machineList[0].password"))).isEmpty();
        assertThat(ConfigTree.remove(tree, FieldPath.of("machineList[0].passwd"))).isFalse();
        assertThat(ConfigTree.put(tree, FieldPath.of("trainingService[1].nothing[0].password"), "x")).isFalse();
        assertThat(tree).isEqualTo(tree());
    }
}
