"""The ``studyapp`` subcommands, one module each.

Every module here (and ``studyapp.lab.cli``) has ``add_parser(subparsers)``, which
adds its command and sets ``handler`` (a function of the parsed args returning the
exit code). ``studyapp.cli`` lists the modules; importing one must stay light.
"""
