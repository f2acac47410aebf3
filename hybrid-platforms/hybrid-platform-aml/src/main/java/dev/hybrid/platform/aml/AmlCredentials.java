package dev.hybrid.platform.aml;

import dev.hybrid.config.Secret;
import java.util.Objects;
import java.util.Optional;

/**
 * How the platform logs in to Microsoft Entra ID, tried in this order: the service principal given here
 * ({@code tenantId}, {@code clientId}, {@code clientSecret}), the same three from the environment variables
 * {@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} and {@code AZURE_CLIENT_SECRET}, then the Azure CLI's login
 * ({@code az account get-access-token}).
 *
 * @param tenantId the directory (tenant) id
 * @param clientId the service principal's application (client) id
 * @param clientSecret its client secret, never printed
 * @param azureCli the Azure CLI command ({@code az}), used when no service principal is given
 */
public record AmlCredentials(Optional<String> tenantId, Optional<String> clientId, Optional<Secret> clientSecret,
        String azureCli) {
    public AmlCredentials {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(azureCli, "azureCli");
    }

    /** A service principal with a client secret. */
    public static AmlCredentials servicePrincipal(String tenantId, String clientId, Secret clientSecret) {
        return new AmlCredentials(Optional.of(tenantId), Optional.of(clientId), Optional.of(clientSecret), "az");
    }

    /** Nothing given here: the environment variables, then the Azure CLI. */
    public static AmlCredentials fromEnvironmentOrCli() {
        return new AmlCredentials(Optional.empty(), Optional.empty(), Optional.empty(), "az");
    }
}
