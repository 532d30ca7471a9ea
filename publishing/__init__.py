"""What lessons and quizzes share as content a teacher publishes to a classroom: the abstract
model, the one publish service, the ``content_published`` signal, and the admin and API pieces
built on them. Not an installed app: it has no tables of its own. It sits below the content
apps and above accounts (``.importlinter``), so lessons and quizzes never import each other."""
