package dev.hybrid.platform.aml;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An Azure ML workspace: where jobs, code and environments live.
 *
 * @param subscriptionId the Azure subscription id
 * @param resourceGroup the resource group's name
 * @param workspaceName the workspace's name (3 to 33 letters, digits, {@code _} or {@code -}, starting with a letter
 *     or digit)
 */
public record AmlWorkspace(String subscriptionId, String resourceGroup, String workspaceName) {
    /** The workspace names ARM accepts. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}");

    public AmlWorkspace {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(resourceGroup, "resourceGroup");
        Objects.requireNonNull(workspaceName, "workspaceName");
        if (!NAME.matcher(workspaceName).matches()) {
            throw new IllegalArgumentException("workspaceName must match " + NAME + ", was '" + workspaceName + "'");
        }
    }

    /** The workspace's ARM path: {@code /subscriptions/.../workspaces/<name>}. */
    public String armPath() {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.MachineLearningServices/workspaces/" + workspaceName;
    }
}
