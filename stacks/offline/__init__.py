"""The offline engine: Pulumi's mock runtime made realistic and recording (`mocks`), and the
offline plan that runs ``platform/`` under it and writes the plan document (`plan`)."""
