"""The funding services, by subject; ``incubator.funding.services`` gathers them."""
