"""The run summary: one typed model of a whole run (``model``), built from what the run did
(``build``), with its verdict and exit status (``verdict``), and read back from ``summary.json``
(``load``). Pure."""
