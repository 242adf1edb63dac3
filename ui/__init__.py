"""The Qt desktop application: thin views over the homestudy core."""
