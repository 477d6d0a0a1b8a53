"""The funding services, by subject; ``incubator.services_funding`` gathers them."""
