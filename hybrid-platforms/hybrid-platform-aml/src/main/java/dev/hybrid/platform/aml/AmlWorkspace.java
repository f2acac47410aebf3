package dev.hybrid.platform.aml;

import java.util.Objects;

/**
 * An Azure ML workspace: where jobs, code and environments live.
 *
 * @param subscriptionId the Azure subscription id
 * @param resourceGroup the resource group's name
 * @param workspaceName the workspace's name (ARM accepts 3 to 33 letters, digits, {@code _} or {@code -}, starting with
 *     a letter or digit; the service itself judges it)
 */
public record AmlWorkspace(String subscriptionId, String resourceGroup, String workspaceName) {
    public AmlWorkspace {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(resourceGroup, "resourceGroup");
        Objects.requireNonNull(workspaceName, "workspaceName");
    }

    /** The workspace's ARM path: {@code /subscriptions/.../workspaces/<name>}. */
    public String armPath() {
        return "/subscriptions/" + segment(subscriptionId) + "/resourceGroups/" + segment(resourceGroup)
                + "/providers/Microsoft.MachineLearningServices/workspaces/" + segment(workspaceName);
    }

    private static String segment(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
