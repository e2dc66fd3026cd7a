"""Environment composition: the typed stack config, the profiles, the stack files, the
`StreamingPlatform` component that builds one environment, and the program ``pulumi up`` runs."""
